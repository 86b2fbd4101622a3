// An async Lambda handler for sluice: logs nothing and reports every record as processed.
// Wire it in sluice's config: functions: { echo: { handler: ./examples/handlers/echo.mjs } }.
export const handler = async (event) => {
  void event;
  return { batchItemFailures: [] };
};
