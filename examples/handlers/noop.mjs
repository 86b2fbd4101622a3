// The cheapest possible handler: returns nothing (Lambda answers null = full success).
export const handler = async () => {};
