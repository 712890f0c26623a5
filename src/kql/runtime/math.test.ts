import { describe, expect, it } from 'vitest';
import { betaCdf, betaInv, betaPdf, erf, erfc, logGamma } from './math.ts';

const close = (a: number, b: number, rel = 1e-12) => expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.abs(b) * rel);

describe('erf and erfc', () => {
  it('match reference values, including erfc far in the tail', () => {
    close(erfc(1), 0.15729920705028513);
    close(erfc(-1), 1.8427007929497148);
    close(erfc(3), 2.209049699858544e-5);
    close(erfc(10), 2.088487583762545e-45);
    close(erf(0.5), 0.5204998778130465);
    close(erf(2.5), 0.999593047982555);
    expect(erf(0)).toBe(0);
    expect(erfc(0)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(Number.isNaN(erfc(NaN))).toBe(true);
  });
});

describe('beta distribution', () => {
  it('matches the values KQL documents', () => {
    close(betaCdf(0.9, 10, 20), 0.999999999999959, 1e-14);
    close(betaPdf(0.5, 10, 20), 0.746176019310951, 1e-12);
    close(betaInv(0.1, 10, 20)!, 0.226415022388749, 1e-12);
  });

  it('inverts the cdf and has closed forms where they exist', () => {
    close(betaCdf(betaInv(0.3, 2, 5)!, 2, 5), 0.3);
    close(betaCdf(0.3, 1, 1), 0.3);
    close(betaCdf(0.25, 2, 1), 0.0625);
    close(betaPdf(0.25, 2, 1), 0.5);
    close(logGamma(11), Math.log(3628800), 1e-14);
  });

  it('gives NaN or null outside the domain, as KQL documents', () => {
    expect(betaCdf(1.5, 10, 20)).toBeNaN();
    expect(betaCdf(0.1, -1, 20)).toBeNaN();
    expect(betaCdf(0.1, 10, 10001)).toBeNaN();
    expect(betaPdf(0, 10, 20)).toBeNaN();
    expect(betaPdf(1, 10, 20)).toBeNaN();
    expect(betaInv(1.5, 10, 20)).toBeNull();
    expect(betaInv(0.1, -1, 20)).toBeNaN();
  });
});
