/**
 * The baseline: a bare Fastify HTTPS server with one route returning a constant, on the same TLS
 * certificate as Palisade. Prints `listening <port>` and runs until SIGTERM.
 */
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

const [cert, key] = [readFileSync(process.argv[2], 'utf8'), readFileSync(process.argv[3], 'utf8')];
const app = Fastify({ https: { cert, key } });
app.get('/constant', async () => ({ value: 'constant' }));
const addr = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${new URL(addr).port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
