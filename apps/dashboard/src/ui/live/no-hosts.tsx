/** Shown when the dashboard has no host at all. */
export function NoHosts() {
  return (
    <div className="empty">
      <h2>No hosts yet</h2>
      <p>
        Start an agent on a host first; the <a href="/">overview</a> shows the command.
      </p>
    </div>
  );
}
