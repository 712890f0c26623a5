import { describe, expect, it } from 'vitest';
import { matchPath } from './router.tsx';

describe('matchPath', () => {
  it('matches fixed and parameter segments', () => {
    expect(matchPath('', '')).toEqual({});
    expect(matchPath('devices', 'Devices')).toEqual({});
    expect(matchPath('devices/:id', 'devices/ab%2Fc')).toEqual({ id: 'ab/c' });
    expect(matchPath('devices/:id', 'devices')).toBeNull();
    expect(matchPath('devices/:id', 'alerts/x')).toBeNull();
    expect(matchPath('devices/:id', 'devices/%E0%A4%A')).toBeNull();
  });
});
