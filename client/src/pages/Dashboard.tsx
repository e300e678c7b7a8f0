export function Dashboard(_props: Record<string, unknown>) {
  return <div>Dashboard</div>;
}
