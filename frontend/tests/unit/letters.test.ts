import { describe, expect, it } from 'vitest'
import { shownLetters } from '../../src/candidate/letters'

describe('shownLetters', () => {
  const shuffled = [{ key: 'D' }, { key: 'C' }, { key: 'B' }, { key: 'A' }]
  it.each([
    { keys: ['A', 'C', 'D'], options: shuffled, want: 'ABD' }, // D,C,A are shown as A,B,D
    { keys: ['D', 'C', 'A'], options: [{ key: 'A' }, { key: 'B' }, { key: 'C' }, { key: 'D' }], want: 'ACD' },
    { keys: ['B'], options: shuffled, want: 'C' },
    { keys: [], options: shuffled, want: '' },
    { keys: ['X'], options: shuffled, want: 'X' },
    { keys: ['A', 'A'], options: shuffled, want: 'D' },
  ])('$keys among $options.length options is $want', ({ keys, options, want }) => {
    expect(shownLetters(keys, options)).toBe(want)
  })
})
