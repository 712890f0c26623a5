export async function main(): Promise<void> { throw new Error('ingest benchmark arrives with the event store'); }
