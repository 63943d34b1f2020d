import * as path from 'path';

const API_DIR = path.join(__dirname, '..', '..', 'examples', 'remittance', 'api');

/**
 * Loads a module of the remittance API (`handler`, `environment`, ...) the way Lambda
 * loads an entry point: fresh, so it reads the environment as it is now.
 */
export function loadFresh<T>(module: string): T {
  let loaded!: T;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(path.join(API_DIR, module));
  });
  return loaded;
}
