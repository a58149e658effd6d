// Session times arrive in the bureau's zone (RFC 3339 with its offset), so
// the date and clock time are read off the string: what the bureau
// scheduled, whatever zone the phone is in.
export function day(at: string): string {
  return at.slice(0, 10)
}

export function clock(at: string): string {
  return at.slice(11, 16)
}

export function when(at: string): string {
  return `${day(at)} ${clock(at)}`
}
