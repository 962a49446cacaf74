// stats: aggregate counters
export const version = 3;
export const name = '003-stats';
export const sql = `
`;
