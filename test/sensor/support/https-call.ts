/**
 * One HTTPS request, printed as JSON `{status, body}`: for tests whose server lives in a network
 * namespace, run inside it (`ip netns exec NS node --import tsx https-call.ts SPEC`). SPEC is JSON:
 * `{ method, url, ca (PEM), headers?, body? }`.
 */
import https from 'node:https';

const spec = JSON.parse(process.argv[2]!) as { method: string; url: string; ca: string; headers?: Record<string, string>; body?: string };
const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
  const req = https.request(spec.url, { method: spec.method, ca: spec.ca, headers: spec.headers, agent: false }, (res) => {
    let body = '';
    res.on('data', (c: Buffer) => { body += c.toString(); });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  });
  req.on('error', reject);
  req.end(spec.body);
});
process.stdout.write(`${JSON.stringify(answer)}\n`);
