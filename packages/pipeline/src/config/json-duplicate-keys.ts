// JSON.parse keeps the last of two equal keys in one object silently; a config or run-folder file
// with `"lr": 0.1, ..., "lr": 1` would run with a value its author may not have meant. This finds
// the first repeated key of a text JSON.parse accepted, in one pass without recursion (so a
// deeply nested file costs no stack).

/** A key written twice in one object: its name and the 1-based line of the second. */
export interface DuplicateKey {
  key: string;
  line: number;
}

/**
 * The first key a valid JSON text repeats within one object, or undefined.
 * @example firstDuplicateKey('{"a": 1,\n "a": 2}'); // { key: 'a', line: 2 }
 */
export function firstDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: (Set<string> | null)[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const literal = text.slice(i, end + 1);
      i = end;
      let next = end + 1;
      while (next < text.length && /\s/.test(text[next]!)) next++;
      const keys = stack.at(-1);
      if (text[next] !== ':' || !keys) continue;
      const key = JSON.parse(literal) as string;
      if (keys.has(key)) return { key, line };
      keys.add(key);
    }
  }
  return undefined;
}
