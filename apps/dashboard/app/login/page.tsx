import { LoginForm } from '../../src/ui/login-form';

export default function LoginPage() {
  return (
    <main className="login-page">
      <div className="login-card">
        <h1 className="brand">ctscope</h1>
        <p className="muted">Connection tracking for your hosts, live.</p>
        <LoginForm />
      </div>
    </main>
  );
}
