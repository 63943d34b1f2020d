/**
 * Runs `work` with console.error silenced: the API logs every 503 it answers while no
 * writer is reachable, as the function would.
 */
export async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    return await work();
  } finally {
    spy.mockRestore();
  }
}
