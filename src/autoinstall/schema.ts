/**
 * The autoinstall schema remaster validates against: JSON Schema written for
 * remaster from the structure Subiquity documents in its autoinstall
 * reference (canonical/subiquity doc/reference/autoinstall-reference.rst),
 * not a copy of Subiquity's generated autoinstall-schema.json. It accepts and
 * rejects what that published schema does (test/unit/autoinstall/
 * subiquity-schema.test.ts checks every documentation example and a set of
 * broken variants against a copy of it, fixtures/autoinstall/subiquity/):
 * unknown top-level keys pass (newer installers add sections), `storage` is
 * any mapping (Subiquity checks layouts when it runs them; storage.ts
 * reports those checks apart), and `format: uri` on `proxy` is not enforced
 * (Subiquity validates without a format checker).
 */

const stringArray = { type: 'array', items: { type: 'string' } } as const;
/** A command: a shell string, or an argv list run without a shell (one type union, so a bad argv item is named exactly). */
const commands = { type: 'array', items: { type: ['string', 'array'], items: { type: 'string' } } } as const;
const object = { type: 'object' } as const;

/** A netplan `match:` stanza, as Subiquity's schema lists it for ethernets and wifis. */
const netplanMatch = {
  type: 'object',
  properties: { match: { type: 'object', properties: { name: { type: 'string' }, macaddress: { type: 'string' }, driver: { type: 'string' } }, additionalProperties: false } },
} as const;
/** Netplan version 2, either at the top of `network:` or under a second `network:` key (both forms are read). */
const netplan = {
  type: 'object',
  properties: { version: { type: 'integer', const: 2 }, ethernets: netplanMatch, wifis: netplanMatch, bridges: object, bonds: object, tunnels: object, vlans: object },
  required: ['version'],
} as const;

const proToken = { type: 'object', properties: { token: { type: 'string', pattern: '^C[1-9A-HJ-NP-Za-km-z]{23,29}$' } } } as const;

const apt = {
  type: 'object',
  properties: {
    preserve_sources_list: { type: 'boolean' },
    primary: { type: 'array' },
    'mirror-selection': {
      type: 'object',
      properties: { primary: { type: 'array', items: { anyOf: [{ const: 'country-mirror' }, { type: 'object', properties: { uri: { type: 'string' }, arches: stringArray }, required: ['uri'] }] } } },
    },
    geoip: { type: 'boolean' },
    sources: object,
    disable_components: { type: 'array', items: { enum: ['universe', 'multiverse', 'restricted', 'contrib', 'non-free'] } },
    preferences: { type: 'array', items: { type: 'object', properties: { package: { type: 'string' }, pin: { type: 'string' }, 'pin-priority': { type: 'integer' } }, required: ['package', 'pin', 'pin-priority'] } },
    fallback: { enum: ['abort', 'continue-anyway', 'offline-install'] },
  },
} as const;

const identity = {
  type: 'object',
  properties: {
    realname: { type: 'string' }, username: { type: 'string' }, hostname: { type: 'string' }, password: { type: 'string' },
    groups: { oneOf: [stringArray, { type: 'object', properties: { override: stringArray, append: stringArray } }] },
  },
  required: ['username', 'hostname', 'password'],
  additionalProperties: false,
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
    'user-data': object,
    packages: stringArray,
    'debconf-selections': { type: 'string' },
    locale: { type: 'string' },
    'refresh-installer': { type: 'object', properties: { update: { type: 'boolean' }, channel: { type: 'string' } }, additionalProperties: false },
    kernel: { type: 'object', properties: { package: { type: 'string' }, flavor: { type: 'string' } }, oneOf: [{ required: ['package'] }, { required: ['flavor'] }] },
    'kernel-crash-dumps': { type: 'object', properties: { enabled: { type: ['boolean', 'null'] } }, required: ['enabled'], additionalProperties: false },
    keyboard: { type: 'object', properties: { layout: { type: 'string' }, variant: { type: 'string' }, toggle: { type: ['string', 'null'] } }, required: ['layout'], additionalProperties: false },
    zdevs: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, enabled: { type: 'boolean' } } } },
    source: { type: 'object', properties: { search_drivers: { type: 'boolean' }, id: { type: 'string' } } },
    network: { oneOf: [netplan, { type: 'object', properties: { network: netplan }, required: ['network'] }] },
    'ubuntu-pro': proToken,
    /** The old name of ubuntu-pro, still read. */
    'ubuntu-advantage': proToken,
    proxy: { type: ['string', 'null'] },
    apt,
    storage: object,
    identity,
    ssh: { type: 'object', properties: { 'install-server': { type: 'boolean' }, 'authorized-keys': stringArray, 'allow-pw': { type: 'boolean' } } },
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
