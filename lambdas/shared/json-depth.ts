/**
 * Deepest JSON nesting a consumer accepts. Events here nest three levels; a value nested thousands
 * deep parses, but anything that walks it recursively (JSON.stringify, structuredClone) overflows the stack.
 */
export const MAX_EVENT_DEPTH = 32;

/** The deepest nesting of arrays and objects in JSON text, counted outside strings, in one pass. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
