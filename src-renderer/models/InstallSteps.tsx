/** How to install and start Ollama on the host's OS. */
export function InstallSteps({ platform }: { platform: string }) {
  const install =
    platform === 'darwin' ? (
      <>
        Download Ollama for macOS from <span className="mono">https://ollama.com/download</span> (or <code>brew install ollama</code>).
      </>
    ) : platform === 'win32' ? (
      <>
        Download Ollama for Windows from <span className="mono">https://ollama.com/download</span> and run the installer.
      </>
    ) : (
      <>
        Install it: <code>curl -fsSL https://ollama.com/install.sh | sh</code>
      </>
    );
  const start =
    platform === 'darwin' ? (
      <>
        Open the Ollama app, or run <code>ollama serve</code>.
      </>
    ) : platform === 'win32' ? (
      <>
        It starts by itself after installing; if not, run <code>ollama serve</code>.
      </>
    ) : (
      <>
        Start it: <code>ollama serve</code> (the installer usually runs it as a service).
      </>
    );
  return (
    <ol className="setup-steps">
      <li>{install}</li>
      <li>{start}</li>
      <li>On another machine? Set OLLAMA_HOST to its address in Settings.</li>
    </ol>
  );
}
