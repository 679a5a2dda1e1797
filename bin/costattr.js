#!/usr/bin/env node
// Entry point: run the built CLI.
import { main } from '../dist/cli/index.js';

process.exitCode = await main(process.argv);
