/** Values echoed in messages and logs are cut, so a 5,000-character input does not come back whole. */
export function clip(value: string, max = 64): string {
  return value.length <= max ? value : `${value.slice(0, max)}...(${value.length} characters)`;
}
