/** The supervisor process of the local runtime (see supervisor.ts): started detached by LocalRuntime.startApp. */
import { supervise, type SupervisorSpec } from './supervisor.js';

supervise(JSON.parse(process.argv[2] ?? '{}') as SupervisorSpec);
