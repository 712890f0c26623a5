import { describe, expect, it } from 'vitest';
import { parseArguments, rewriteFunctionSegments } from './function-segments.ts';

describe('rewriteFunctionSegments', () => {
  it('turns a call segment into its name and its arguments into query parameters', () => {
    expect(rewriteFunctionSegments("/api/machines/findbyip(ip='8.8.8.8',timestamp=2024-05-19T01:00:05Z)"))
      .toBe('/api/machines/findbyip?ip=8.8.8.8&timestamp=2024-05-19T01%3A00%3A05Z');
    expect(rewriteFunctionSegments('/api/v1.0/machineactions/7c1d/GetLiveResponseResultDownloadLink(index=0)'))
      .toBe('/api/v1.0/machineactions/7c1d/GetLiveResponseResultDownloadLink?index=0');
    expect(rewriteFunctionSegments("/api/machines/find(timestamp=2024-05-19T01:00:05Z,key='10.0.0.1')?$top=5"))
      .toBe('/api/machines/find?%24top=5&timestamp=2024-05-19T01%3A00%3A05Z&key=10.0.0.1');
  });

  it('reads percent-encoded segments and doubled quotes', () => {
    expect(rewriteFunctionSegments('/api/machines/findbyip(ip=%2710.0.0.1%27,timestamp=2024-05-19T01:00:05Z)'))
      .toBe('/api/machines/findbyip?ip=10.0.0.1&timestamp=2024-05-19T01%3A00%3A05Z');
    expect(parseArguments("name='O''Brien', n = 2")).toEqual([['name', "O'Brien"], ['n', '2']]);
  });

  it('leaves other URLs and malformed calls alone', () => {
    for (const url of [
      '/api/machines/host(1)', "/api/machines/findbyip(ip='unterminated)", '/api/machines/x(a=1,)', '/sensor/v1/x(a=1)',
      "/api/machines?$filter=startswith(computerDnsName,'a')", '/api/machines/%E0(a=1)',
    ]) {
      expect(rewriteFunctionSegments(url), url).toBe(url);
    }
  });
});
