/** Types of own-code-bundle.mjs (plain JavaScript: bin/sluice.mjs runs it before tsx could). */
export declare const INSTALLATION_ROOT: string;
export declare const OWN_PACKAGE_ENTRIES: Record<'sluice' | 'sluice-providers' | 'sluice-notifiers' | 'sluice-sensors' | 'sluice-operators', string>;
export declare function buildOwnBundle(name: string, entries: Record<string, string>): Promise<string>;
export declare function stopBundler(): Promise<void>;
