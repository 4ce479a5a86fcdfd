#!/usr/bin/env node
/** The provider executable: `terraform-provider-netns` execs node on this file. */
import { main } from './server.js';

process.exit(await main());
