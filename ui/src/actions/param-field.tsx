/** One param's field in the trigger form: the input its type calls for, its description, rules and problem. */
import type { ParamSpec } from '../../../src/core/params.ts';
import { choiceLabel, fieldKind, ruleHint, selectChoices } from '../lib/param-form.ts';
import type { TimeZoneMode } from '../lib/format.ts';

export interface ParamFieldProps {
  name: string;
  param: ParamSpec;
  text: string;
  /** Shown under the field once the person has been there (or tried to send). */
  problem: string | undefined;
  zone: TimeZoneMode;
  onText: (text: string) => void;
  onLeave: () => void;
}

/** The id of a param's input, for the label and for focusing the first field that is wrong. */
export const paramFieldId = (name: string) => `param-${encodeURIComponent(name)}`;

export function ParamField({ name, param, text, problem, zone, onText, onLeave }: ParamFieldProps) {
  const id = paramFieldId(name);
  const kind = fieldKind(param);
  const hint = [ruleHint(param), kind === 'datetime' ? (zone === 'utc' ? 'UTC' : 'your local time') : ''].filter(Boolean).join('; ');
  const describedBy = [param.schema.description ? `${id}-description` : '', problem ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: `param.${name}`,
    'aria-invalid': problem !== undefined,
    'aria-describedby': describedBy,
    'aria-required': param.schema.required === true,
    onBlur: onLeave,
  };

  const notes = (
    <>
      {param.schema.description && (
        <span id={`${id}-description`} class="muted param-description">
          {param.schema.description}
        </span>
      )}
      {problem && (
        <span id={`${id}-error`} class="field-error" role="alert">
          {name} {problem}
        </span>
      )}
    </>
  );

  if (kind === 'checkbox') {
    return (
      <div class="param-field">
        <label class="inline param-check">
          <input type="checkbox" {...common} checked={text === 'true'} onChange={(e) => onText(e.currentTarget.checked ? 'true' : 'false')} />
          <span class="mono">{name}</span>
        </label>
        {notes}
      </div>
    );
  }

  return (
    <div class="param-field">
      <label for={id}>
        <span>
          <span class="mono">{name}</span>
          {hint && <span class="muted"> ({hint})</span>}
        </span>
      </label>
      {kind === 'select' ? (
        <select {...common} value={text} onChange={(e) => onText(e.currentTarget.value)}>
          {(!Object.hasOwn(param, 'default') || text === '') && <option value="">{param.schema.required ? '— choose —' : '— not given —'}</option>}
          {selectChoices(param).map((choice, i) => (
            <option key={i} value={String(i)}>
              {choiceLabel(choice)}
            </option>
          ))}
        </select>
      ) : kind === 'json' ? (
        <textarea {...common} rows={text.includes('\n') ? 4 : 1} spellcheck={false} class="mono" value={text} onInput={(e) => onText(e.currentTarget.value)} />
      ) : kind === 'number' ? (
        // Bounds and steps guide the browser's spinner; the rules are checked by the form itself
        // (it has noValidate), so the message is the server's, not the browser's.
        <input
          {...common}
          type="number"
          step={param.schema.type === 'integer' ? 1 : 'any'}
          min={param.schema.minimum}
          max={param.schema.maximum}
          value={text}
          onInput={(e) => onText(e.currentTarget.value)}
        />
      ) : kind === 'date' ? (
        <input {...common} type="date" value={text} onInput={(e) => onText(e.currentTarget.value)} />
      ) : kind === 'datetime' ? (
        <input {...common} type="datetime-local" step={1} value={text} onInput={(e) => onText(e.currentTarget.value)} />
      ) : (
        <input {...common} type="text" class="mono" spellcheck={false} value={text} onInput={(e) => onText(e.currentTarget.value)} />
      )}
      {notes}
    </div>
  );
}

