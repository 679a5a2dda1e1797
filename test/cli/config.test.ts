// costattr.config.json supplies option defaults (BOM tolerated); flags win; bad JSON names the line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/app/config.js';
import { tempDir } from '../helpers/cli.js';

describe('costattr.config.json', () => {
  it('reads option defaults, tolerating a byte-order mark', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'costattr.config.json'), '\uFEFF{"namespace": "acme", "timezone": "Europe/Berlin"}');
    expect(readConfig(dir)).toEqual({ namespace: 'acme', timezone: 'Europe/Berlin' });
  });

  it('names the file and line of a syntax error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'costattr.config.json'), '{\n  "namespace": "acme",\n}\n');
    expect(() => readConfig(dir)).toThrow(/costattr\.config\.json: not valid JSON at line 3/);
  });

  it('is empty when there is no file', () => {
    expect(readConfig(tempDir())).toEqual({});
  });
});
