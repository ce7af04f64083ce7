import type { ComponentChildren } from "preact";
import type { UiError } from "./bindings";

export function Kbd({ children }: { children: ComponentChildren }) {
  return <kbd aria-hidden="true">{children}</kbd>;
}

export function ErrorBanner({ error }: { error: UiError | null }) {
  if (!error) return null;
  return (
    <div class="banner bad" role="alert" data-code={error.code} data-testid="error">
      {error.message}
    </div>
  );
}

export function Field(props: {
  id: string;
  label: string;
  type?: "text" | "password" | "date";
  value: string;
  onInput: (v: string) => void;
  autoFocus?: boolean;
  autoComplete?: string;
  hint?: string;
  inputMode?: "numeric" | "text";
  maxLength?: number;
  invalid?: boolean;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        type={(props.type ?? "text") as "text"}
        value={props.value}
        autoFocus={props.autoFocus}
        autoComplete={props.autoComplete ?? "off"}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        aria-invalid={props.invalid ? "true" : undefined}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {props.hint && (
        <div class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </div>
      )}
    </div>
  );
}
