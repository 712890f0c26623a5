/** Values that have broken parsers, engines and lookup tables before: extremes, prototype keys, odd text. */
export const HOSTILE_NUMBERS = [
  '0', '-1', '1', '2147483647', '2147483648', '-2147483649', '9223372036854775807', '9223372036854775808',
  '-9223372036854775808', '1e19', '1e308', '-1e308', '1e-320', '0.0000001', '99999999999999999999999', '1000000000',
];

export const HOSTILE_STRINGS = [
  '', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', "'", '"', '\\', '%', '%s%n', '*', '**',
  '\u0000', '\uffff', '\ud800', 'ß', 'İ', '😀', 'a'.repeat(5000), '${x}', '$1', '(', ')', '[', '{', '/*', '--', ';',
  'null', 'NaN', 'Infinity', '-0', '1e19', '2024-13-45T99:99:99Z', '0001-01-01', '9999-12-31T23:59:59.9999999Z',
];
