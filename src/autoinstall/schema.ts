/**
 * The autoinstall schema remaster validates against: JSON Schema (draft 7)
 * written for remaster from the structure Subiquity documents in its
 * autoinstall reference (canonical/subiquity doc/reference/
 * autoinstall-reference.rst), not a copy of Subiquity's generated
 * autoinstall-schema.json (AGPL-3.0). Like Subiquity's, it checks the keys
 * it knows and lets unknown top-level keys through (newer installers add
 * sections); it is stricter where the reference is: `version: 1`, command
 * lists, and storage — `layout.name` one of direct, lvm, zfs, hybrid, or a
 * curtin action list under `config`, and not both.
 */

const stringArray = { type: 'array', items: { type: 'string' } } as const;
/** A command: a shell string, or an argv list run without a shell. */
const commands = { type: 'array', items: { anyOf: [{ type: 'string' }, stringArray] } } as const;

const storage = {
  type: 'object',
  properties: {
    layout: {
      type: 'object',
      properties: {
        name: { enum: ['direct', 'lvm', 'zfs', 'hybrid'] },
        'sizing-policy': { enum: ['scaled', 'all'] },
        password: { type: 'string' },
        'reset-partition': { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
        match: { type: 'object' },
      },
      required: ['name'],
    },
    config: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, id: { type: 'string' } }, required: ['type'] } },
    swap: { type: 'object', properties: { size: { anyOf: [{ type: 'integer' }, { type: 'string' }] }, swap: { type: 'integer' }, filename: { type: 'string' } } },
    grub: { type: 'object' },
  },
  not: { required: ['layout', 'config'] },
} as const;

/** The `autoinstall:` mapping. */
export const AUTOINSTALL_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['version'],
  additionalProperties: true,
  properties: {
    version: { type: 'integer', const: 1 },
    'interactive-sections': stringArray,
    'early-commands': commands,
    'late-commands': commands,
    'error-commands': commands,
    reporting: { type: 'object', additionalProperties: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
    'user-data': { type: 'object' },
    packages: stringArray,
    'debconf-selections': { type: 'string' },
    locale: { type: 'string' },
    'refresh-installer': { type: 'object', properties: { update: { type: 'boolean' }, channel: { type: 'string' } }, additionalProperties: false },
    kernel: { type: 'object', properties: { package: { type: 'string' }, flavor: { type: 'string' } }, minProperties: 1, maxProperties: 1, additionalProperties: false },
    'kernel-crash-dumps': { type: 'object', properties: { enabled: { type: ['boolean', 'null'] } }, required: ['enabled'], additionalProperties: false },
    keyboard: { type: 'object', properties: { layout: { type: 'string' }, variant: { type: 'string' }, toggle: { type: ['string', 'null'] } }, required: ['layout'], additionalProperties: false },
    source: { type: 'object', properties: { search_drivers: { type: 'boolean' }, id: { type: 'string' } } },
    network: { type: 'object' },
    proxy: { type: ['string', 'null'] },
    apt: { type: 'object', properties: { preserve_sources_list: { type: 'boolean' }, geoip: { type: 'boolean' }, primary: { type: 'array' }, sources: { type: 'object' }, 'fallback': { enum: ['abort', 'continue-anyway', 'offline-install'] } } },
    storage,
    identity: {
      type: 'object',
      properties: { realname: { type: 'string' }, username: { type: 'string' }, hostname: { type: 'string' }, password: { type: 'string' } },
      required: ['username', 'hostname', 'password'],
      additionalProperties: false,
    },
    'ubuntu-pro': { type: 'object', properties: { token: { type: 'string', pattern: '^C[1-9A-HJ-NP-Za-km-z]{23,29}$' } } },
    ssh: { type: 'object', properties: { 'install-server': { type: 'boolean' }, 'authorized-keys': stringArray, 'allow-pw': { type: 'boolean' } }, additionalProperties: false },
    snaps: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, channel: { type: 'string' }, classic: { type: 'boolean' } }, required: ['name'], additionalProperties: false } },
    'active-directory': { type: 'object', properties: { 'admin-name': { type: 'string' }, 'domain-name': { type: 'string' } }, additionalProperties: false },
    codecs: { type: 'object', properties: { install: { type: 'boolean' } } },
    drivers: { type: 'object', properties: { install: { type: 'boolean' } } },
    oem: { type: 'object', properties: { install: { anyOf: [{ type: 'boolean' }, { const: 'auto' }] } }, required: ['install'] },
    timezone: { type: 'string' },
    updates: { enum: ['security', 'all'] },
    shutdown: { enum: ['reboot', 'poweroff'] },
  },
} as const;
