import { createInterface } from 'node:readline/promises';

/** Asks a yes/no question on the terminal; only `y` or `yes` (any case) confirms. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
