export function Verify(_props: Record<string, unknown>) {
  return <div>Verify</div>;
}
