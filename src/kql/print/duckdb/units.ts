/**
 * convert_length / convert_mass / convert_volume / convert_force / convert_speed / convert_energy /
 * convert_angle: unit names must be constants; the conversion factor is computed here and passed as
 * a parameter. convert_temperature converts through kelvin (its units differ by an offset too).
 */
import { PalisadeError } from '../../../domain/errors.ts';
import type { FnHandler } from '../dialect.ts';
import { litString } from './sql-helpers.ts';

/** Size of each unit in the kind's base unit (meter, kilogram, cubic meter, newton, m/s, joule, radian). */
const UNITS: Record<string, Record<string, number>> = {
  length: {
    meter: 1, kilometer: 1000, centimeter: 0.01, millimeter: 0.001, micrometer: 1e-6, nanometer: 1e-9, decimeter: 0.1,
    foot: 0.3048, inch: 0.0254, yard: 0.9144, mile: 1609.344, nauticalmile: 1852, hand: 0.1016, mil: 2.54e-5,
    microinch: 2.54e-8, twip: 0.0254 / 1440, shackle: 27.432, lightyear: 9.4607304725808e15, astronomicalunit: 1.495978707e11,
    parsec: 30856775814913670, printerpoint: 0.0254 / 72, printerpica: 0.0254 / 6, dtppoint: 0.0254 / 72, dtppica: 0.0254 / 6,
    hectometer: 100, decameter: 10, megameter: 1e6, usSurveyfoot: 1200 / 3937, ussurveyfoot: 1200 / 3937, fathom: 1.8288,
    chain: 20.1168, kilolightyear: 9.4607304725808e18, megalightyear: 9.4607304725808e21, solarradius: 6.95510e8,
  },
  mass: {
    kilogram: 1, gram: 0.001, milligram: 1e-6, microgram: 1e-9, nanogram: 1e-12, tonne: 1000, pound: 0.45359237,
    ounce: 0.028349523125, stone: 6.35029318, shortton: 907.18474, longton: 1016.0469088, grain: 6.479891e-5,
    centigram: 1e-5, decigram: 1e-4, decagram: 0.01, hectogram: 0.1, kilotonne: 1e6, megatonne: 1e9, slug: 14.5939029372064,
    kilopound: 453.59237, megapound: 453592.37, shorthundredweight: 45.359237, longhundredweight: 50.80234544,
    solarmass: 1.98947e30, earthmass: 5.9722e24,
  },
  volume: {
    cubicmeter: 1, liter: 0.001, milliliter: 1e-6, centiliter: 1e-5, deciliter: 1e-4, hectoliter: 0.1, kiloliter: 1,
    cubiccentimeter: 1e-6, cubicmillimeter: 1e-9, cubickilometer: 1e9, cubicdecimeter: 0.001, cubicfoot: 0.028316846592,
    cubicinch: 1.6387064e-5, cubicyard: 0.764554857984, cubicmile: 4168181825.44058, usgallon: 0.003785411784,
    imperialgallon: 0.00454609, usquart: 0.000946352946, uspint: 0.000473176473, usounce: 2.95735295625e-5,
    imperialounce: 2.84130625e-5, imperialpint: 0.00056826125, usbeerbarrel: 0.119240471196, oilbarrel: 0.158987294928,
    // as Kusto (UnitsNet) defines it: 0.000810714 acre-feet per cubic meter
    acrefoot: 1 / 0.000810714, ustablespoon: 1.478676478125e-5, usteaspoon: 4.92892159375e-6, uscustomarycup: 0.0002365882365,
    metriccup: 0.00025, megaliter: 1000, microliter: 1e-9, hectocubicmeter: 100, kilocubicmeter: 1000,
  },
  force: {
    newton: 1, kilonewton: 1000, meganewton: 1e6, micronewton: 1e-6, millinewton: 0.001, decanewton: 10, dyn: 1e-5,
    kilogramforce: 9.80665, tonneforce: 9806.65, poundforce: 4.4482216152605, kilopoundforce: 4448.2216152605,
    shorttonforce: 8896.44323052, ounceforce: 0.278013850953781, poundal: 0.138254954376,
  },
  speed: {
    meterpersecond: 1, kilometerperhour: 1 / 3.6, mileperhour: 0.44704, knot: 1852 / 3600, footpersecond: 0.3048,
    centimeterpersecond: 0.01, millimeterpersecond: 0.001, kilometerpersecond: 1000, meterperminute: 1 / 60, meterperhour: 1 / 3600,
    inchpersecond: 0.0254, footperminute: 0.3048 / 60, yardpersecond: 0.9144, mach: 340.29,
  },
  energy: {
    joule: 1, kilojoule: 1000, megajoule: 1e6, gigajoule: 1e9, millijoule: 0.001, calorie: 4.184, kilocalorie: 4184,
    wattHour: 3600, watthour: 3600, kilowatthour: 3.6e6, megawatthour: 3.6e9, gigawatthour: 3.6e12, electronvolt: 1.602176634e-19,
    btu: 1055.05585262, erg: 1e-7, footpound: 1.3558179483314, therm: 105505585.262, decatherm: 1.05505585262e9,
  },
  angle: {
    radian: 1, degree: Math.PI / 180, gradian: Math.PI / 200, arcminute: Math.PI / 10800, arcsecond: Math.PI / 648000,
    revolution: 2 * Math.PI, milliradian: 0.001, microradian: 1e-6, nanoradian: 1e-9, centiradian: 0.01, deciradian: 0.1,
    microdegree: Math.PI / 180e6, millidegree: Math.PI / 180e3, nanodegree: Math.PI / 180e9, tilt: 2 * Math.PI,
  },
};

/** The refusal of a unit name the function does not know (Kusto rejects it rather than answering null). */
function unknownUnit(fn: string, unit: string, known: string[]): PalisadeError {
  return new PalisadeError('BadRequest', `${fn}(): '${unit}' is not a unit it converts (units: ${known.join(', ')}; case is ignored)`);
}

function converter(kind: string): FnHandler {
  return (p, [v, from, to]) => {
    const f = litString(from)?.toLowerCase();
    const t = litString(to)?.toLowerCase();
    const table = UNITS[kind];
    if (f === undefined || t === undefined) throw new PalisadeError('BadRequest', `convert_${kind}() needs constant unit names`);
    for (const [u, given] of [[f, from], [t, to]] as const) {
      if (!Object.hasOwn(table, u)) throw unknownUnit(`convert_${kind}`, litString(given)!, Object.keys(table).filter((k) => k === k.toLowerCase()));
    }
    return `(CAST(${p.expr(v)} AS DOUBLE) * ${p.param(table[f] / table[t], 'real')})`;
  };
}

/** Temperature units as kelvin = value * scale + offset. */
const TEMPERATURES: Record<string, [scale: number, offset: number]> = {
  kelvin: [1, 0], degreecelsius: [1, 273.15], millidegreecelsius: [0.001, 273.15], degreefahrenheit: [5 / 9, 459.67 * 5 / 9],
  degreerankine: [5 / 9, 0], degreedelisle: [-2 / 3, 373.15], degreenewton: [100 / 33, 273.15], degreereaumur: [5 / 4, 273.15],
  degreeroemer: [40 / 21, 273.15 - 7.5 * 40 / 21], solartemperature: [5778, 0],
};

const convertTemperature: FnHandler = (p, [v, from, to]) => {
  const f = litString(from)?.toLowerCase();
  const t = litString(to)?.toLowerCase();
  if (f === undefined || t === undefined) throw new PalisadeError('BadRequest', 'convert_temperature() needs constant unit names');
  for (const [u, given] of [[f, from], [t, to]] as const) {
    if (!Object.hasOwn(TEMPERATURES, u)) throw unknownUnit('convert_temperature', litString(given)!, Object.keys(TEMPERATURES));
  }
  const a = TEMPERATURES[f];
  const b = TEMPERATURES[t];
  // value → kelvin → target
  return `((CAST(${p.expr(v)} AS DOUBLE) * ${p.param(a[0], 'real')} + ${p.param(a[1], 'real')} - ${p.param(b[1], 'real')}) / ${p.param(b[0], 'real')})`;
};

/** Handlers by KQL name. */
export const UNIT_FUNCTIONS: Record<string, FnHandler> = {
  ...Object.fromEntries(Object.keys(UNITS).map((k) => [`convert_${k}`, converter(k)])),
  convert_temperature: convertTemperature,
};
