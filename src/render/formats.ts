/** The output formats a command can render. */
export const FORMATS = ['table', 'json', 'csv', 'md', 'html', 'slack'] as const;
export type Format = (typeof FORMATS)[number];
