import { QUIET_ENV } from './function-env';

// jest setupFiles of the unit and handlers projects: the shared logger and metrics read this at import.
Object.assign(process.env, QUIET_ENV);
