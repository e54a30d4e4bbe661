/** Stops the engines the global setup started; jest runs this whether tests passed or failed. */
export default async function globalTeardown(): Promise<void> {
  const engines = globalThis.__TEST_ENGINES__ ?? [];
  globalThis.__TEST_ENGINES__ = undefined;
  await Promise.all(engines.map((engine) => engine.stop()));
}
