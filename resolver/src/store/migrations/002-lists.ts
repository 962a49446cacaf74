// lists: blocklist sources and their refresh state
export const version = 2;
export const name = '002-lists';
export const sql = `
`;
