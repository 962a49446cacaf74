// core: networks, policies, rules, schedules
export const version = 1;
export const name = '001-core';
export const sql = `
`;
