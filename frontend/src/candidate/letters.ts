// How answers are shown to a candidate: the letters A, B, C... of the
// options as they are laid out on the screen (a paper may shuffle them),
// always in letter order: "ACD", never "DCA".

export const LETTERS = 'ABCDEFGH'

/** The letters under which `keys` are shown among `options`, sorted and joined. */
export function shownLetters(keys: readonly string[], options: readonly { key: string }[]): string {
  const shown = keys.map((k) => {
    const i = options.findIndex((o) => o.key === k)
    return i >= 0 && i < LETTERS.length ? LETTERS[i] : k
  })
  return [...new Set(shown)].sort().join('')
}
