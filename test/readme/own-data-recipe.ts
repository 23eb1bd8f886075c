/**
 * The README's "Serve your own data" recipe: the ```sh blocks of that section, which
 * test/readme-own-data.test.ts runs against a real `npm start` (they start one, so the
 * curl-only README session of test/readme-examples.test.ts does not run them).
 */
export const OWN_DATA_HEADING = '### Serve your own data';

export interface RecipeBlock {
  /** The line of its first statement in the README (1-based). */
  firstLine: number;
  lines: string[];
}

export function ownDataRecipe(markdown: string): RecipeBlock[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(OWN_DATA_HEADING);
  if (start < 0) throw new Error(`the README has no "${OWN_DATA_HEADING}" section`);
  const blocks: RecipeBlock[] = [];
  for (let i = start + 1; i < lines.length && !/^#{1,3} /.test(lines[i]); i++) {
    if (lines[i] !== '```sh') continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({ firstLine: i + 2, lines: lines.slice(i + 1, end) });
    i = end;
  }
  return blocks;
}
