import { QUIET_ENV } from './function-env';

// jest setupFiles of the handlers project: the shared logger and metrics read this at import.
Object.assign(process.env, QUIET_ENV);
