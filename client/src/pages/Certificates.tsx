export function Certificates(_props: Record<string, unknown>) {
  return <div>Certificates</div>;
}
