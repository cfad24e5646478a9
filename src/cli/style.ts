/**
 * Colour only on a terminal, and never when NO_COLOR is set to anything non-empty
 * (https://no-color.org). Table headers are bold, not red: red means an error.
 */
export function useColour(stream: NodeJS.WriteStream = process.stdout, env: Record<string, string | undefined> = process.env): boolean {
  return stream.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

/** cli-table3 options: bold headers and grey borders on a colour terminal, plain text otherwise. */
export function tableStyle(): { style: { head: string[]; border: string[] } } {
  return useColour() ? { style: { head: ['bold'], border: ['grey'] } } : { style: { head: [], border: [] } };
}
