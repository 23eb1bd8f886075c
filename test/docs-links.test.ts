/**
 * The README and the docs pages link to each other by path and heading: after text moves between
 * them, every relative link must still reach a file, and every `#anchor` a heading of its page
 * (GitHub's anchors: the heading lowercased, punctuation dropped, spaces as hyphens).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { expect, it } from 'vitest';

const DOCUMENTS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** A Markdown text without its fenced code blocks, whose `#` lines are comments, not headings. */
const prose = (markdown: string): string => markdown.replace(/^```[\s\S]*?^```/gm, '');

function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  return new Set(
    [...prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => anchorOf(heading)),
  );
}

it('links from the README and the docs pages reach an existing file, and an existing heading there', () => {
  const broken: string[] = [];
  let checked = 0;
  for (const file of DOCUMENTS) {
    for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // http:, https:, mailto:
      const [path, anchor] = target.split('#');
      const resolved = path === '' ? file : normalize(join(dirname(file), path));
      checked++;
      if (!existsSync(resolved)) broken.push(`${file}: ${target} (no ${resolved})`);
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor))
        broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
    }
  }
  expect(broken).toEqual([]);
  expect(checked).toBeGreaterThan(50);
});

it('reads headings as GitHub anchors them', () => {
  expect(anchorOf('Open Inference Protocol (KServe v2)')).toBe('open-inference-protocol-kserve-v2');
  expect(anchorOf('Secrets from HashiCorp Vault (finding 7: overlay `minikube-eso`)')).toBe(
    'secrets-from-hashicorp-vault-finding-7-overlay-minikube-eso',
  );
});
