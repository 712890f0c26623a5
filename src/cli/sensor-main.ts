/**
 * The `palisade` command as an endpoint runs it: `palisade sensor …` and nothing else. bin/palisade.js
 * loads this instead of main.ts when the command is `sensor`, so a sensor loads none of the server
 * (the composition root with its stores, drivers and HTTP framework): about 90 MiB less resident
 * memory on every endpoint.
 */
import { Command } from 'commander';
import { int } from './arg-parsers.ts';
import { registerSensor } from './sensor.ts';

const program = new Command('palisade').version('0.1.0').enablePositionalOptions();
registerSensor(program, int);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`palisade: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
