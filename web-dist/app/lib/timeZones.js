/**
 * Brazil's IANA time zones, by the places people know them by: the pickers of business hours and of a
 * campaign's send window list these first. São Paulo (Brasília time) leads, Noronha closes.
 * @type {[string, string][]}
 */
export const BRAZIL_ZONES = [
  ['America/Sao_Paulo', 'Brasília, São Paulo, Rio, Sul, Minas, Goiás'],
  ['America/Bahia', 'Bahia'],
  ['America/Fortaleza', 'Ceará, Rio Grande do Norte, Paraíba, Piauí, Maranhão'],
  ['America/Recife', 'Pernambuco'],
  ['America/Maceio', 'Alagoas, Sergipe'],
  ['America/Belem', 'Pará (leste), Amapá'],
  ['America/Santarem', 'Pará (oeste)'],
  ['America/Araguaina', 'Tocantins'],
  ['America/Manaus', 'Amazonas (leste)'],
  ['America/Boa_Vista', 'Roraima'],
  ['America/Porto_Velho', 'Rondônia'],
  ['America/Cuiaba', 'Mato Grosso'],
  ['America/Campo_Grande', 'Mato Grosso do Sul'],
  ['America/Rio_Branco', 'Acre'],
  ['America/Eirunepe', 'Amazonas (oeste)'],
  ['America/Noronha', 'Fernando de Noronha'],
];
