/** Injection tokens for the typed configuration objects validated at boot. */
export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');
export const APP_CONFIG = Symbol('APP_CONFIG');
