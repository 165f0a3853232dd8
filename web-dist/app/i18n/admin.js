/** Strings of the admin pages. pt-BR first; English must match it. */
const pt = {
  'admin.title': 'admin',
};

/** @type {Record<keyof typeof pt, string>} */
const en = {
  'admin.title': 'admin',
};

export default { pt, en };
