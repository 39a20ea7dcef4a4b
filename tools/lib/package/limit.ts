/**
 * The packager's concurrency limit: the one limiter of the project (handlers/lib/limit.ts; tools
 * may import handlers/lib), under the name the packager uses.
 */
import { limiter, type Limiter } from '../../../handlers/lib/limit';

export function pLimit(concurrency: number): Limiter {
  return limiter(concurrency, 'pLimit');
}
