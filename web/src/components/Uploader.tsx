import { CombinedError } from '@urql/core';
import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { graphql } from '../__generated__';
import type { PictureCardFieldsFragment } from '../__generated__/graphql';
import { LIMITS, formatBytes, lengthProblem, parseTags, tagsProblem } from '../limits';
import { postWithProgress, sendDocument } from '../session';
import { FormErrors, TextField, useForm } from './form';

const UploadPictureMutation = graphql(`
  mutation UploadPicture($input: UploadPictureInput!) {
    uploadPicture(input: $input) {
      ...PictureCardFields
    }
  }
`);

interface Chosen {
  file: File;
  previewUrl: string;
  width?: number;
  height?: number;
  problem?: string;
}

const TYPE_NAMES = 'PNG, JPEG, WebP or GIF';

/** Checks a file before anything is sent: its type, its size, and its pixel count once decoded. */
async function inspect(file: File): Promise<Chosen> {
  const previewUrl = URL.createObjectURL(file);
  const chosen: Chosen = { file, previewUrl };
  if (!(LIMITS.pictureTypes as readonly string[]).includes(file.type)) {
    return { ...chosen, problem: `“${file.name}” is not a ${TYPE_NAMES} image.` };
  }
  if (file.size > LIMITS.pictureBytes) {
    return {
      ...chosen,
      problem: `This image is ${formatBytes(file.size)}; the limit is ${formatBytes(LIMITS.pictureBytes)}.`,
    };
  }
  const size = await new Promise<{ width: number; height: number } | null>((resolve) => {
    const image = new Image();
    image.onload = () => resolve({ width: image.naturalWidth, height: image.naturalHeight });
    image.onerror = () => resolve(null);
    image.src = previewUrl;
  });
  if (!size) return { ...chosen, problem: `“${file.name}” could not be read as an image.` };
  if (size.width * size.height > LIMITS.picturePixels) {
    return {
      ...chosen,
      ...size,
      problem: `This image is ${size.width}×${size.height}: over the ${LIMITS.picturePixels / 1_000_000} megapixel limit.`,
    };
  }
  return { ...chosen, ...size };
}

function toBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsDataURL(file);
  });
}

/** Upload with preview, progress, drag and drop, and checks before sending. */
export function Uploader({ onUploaded }: { onUploaded: (picture: PictureCardFieldsFragment) => void }) {
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [title, setTitle] = useState('');
  const [tags, setTags] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  /** The title taken from the last file's name: replaced by the next file's, unless the user wrote their own. */
  const autoTitle = useRef('');
  const fileInput = useRef<HTMLInputElement>(null);
  const id = useId();
  const form = useForm({
    fields: ['dataBase64', 'title', 'tags'],
    validate: () => ({
      dataBase64: chosen ? chosen.problem : 'Choose an image to upload.',
      title: lengthProblem('Title', title, LIMITS.pictureTitle),
      tags: tagsProblem(tags),
    }),
  });
  useEffect(
    () => () => {
      if (chosen) URL.revokeObjectURL(chosen.previewUrl);
    },
    [chosen],
  );

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setDone(null);
    form.setServerError(undefined);
    const next = await inspect(file);
    setChosen(next);
    if (!title.trim() || title === autoTitle.current) {
      autoTitle.current = file.name.replace(/\.[a-z0-9]+$/i, '').slice(0, LIMITS.pictureTitle.max);
      setTitle(autoTitle.current);
    }
  };

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (fileInput.current) fileInput.current.value = ''; // the dropped file replaces any chosen one
    void choose(event.dataTransfer.files[0]);
  };

  const submit = form.submit(async () => {
    if (!chosen) return;
    abort.current = new AbortController();
    setProgress(0);
    try {
      const variables = {
        input: {
          title: title.trim(),
          tags: parseTags(tags),
          contentType: chosen.file.type,
          dataBase64: await toBase64(chosen.file),
        },
      };
      const signal = abort.current.signal;
      const result = await sendDocument<{
        data?: { uploadPicture?: PictureCardFieldsFragment } | null;
        errors?: { message: string; extensions?: Record<string, unknown> }[];
      }>(UploadPictureMutation, variables, (payload) =>
        postWithProgress(JSON.stringify(payload), (sent, total) => setProgress(total > 0 ? sent / total : 0), signal),
      );
      if (result.data?.uploadPicture) {
        onUploaded(result.data.uploadPicture);
        setDone(`Uploaded “${result.data.uploadPicture.title}”. Its thumbnail is being made.`);
        setChosen(null);
        setTitle('');
        setTags('');
        form.reset();
        if (fileInput.current) fileInput.current.value = '';
        return;
      }
      return { error: new CombinedError({ graphQLErrors: (result.errors ?? []) as never }) };
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      return { error: new CombinedError({ networkError: error as Error }) };
    } finally {
      setProgress(null);
      abort.current = null;
    }
  });

  const fileError = form.field('dataBase64').error;
  return (
    <form ref={form.formRef} onSubmit={submit} aria-label="Upload a picture" className="card uploader" noValidate>
      <h2>Upload a picture</h2>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
        data-testid="dropzone"
      >
        {chosen && !chosen.problem ? (
          <img className="preview" src={chosen.previewUrl} alt="Preview of the chosen image" />
        ) : (
          <p className="dropzone-text">Drop an image here, or choose one.</p>
        )}
        <div className="field">
          <label htmlFor={id}>Image file</label>
          <p className="field-hint" id={`${id}-hint`}>
            {TYPE_NAMES}, up to {formatBytes(LIMITS.pictureBytes)} and {LIMITS.picturePixels / 1_000_000} megapixels
          </p>
          <input
            ref={fileInput}
            id={id}
            type="file"
            accept={LIMITS.pictureTypes.join(',')}
            aria-invalid={fileError ? true : undefined}
            aria-describedby={`${id}-hint${fileError ? ` ${id}-error` : ''}`}
            onChange={(event) => void choose(event.target.files?.[0])}
            {...{ onBlur: form.field('dataBase64').onLeave }}
          />
          {fileError && (
            <p className="field-error" id={`${id}-error`}>
              {fileError}
            </p>
          )}
          {chosen && !chosen.problem && (
            <p className="meta">
              {chosen.file.name} · {formatBytes(chosen.file.size)}
              {chosen.width ? ` · ${chosen.width}×${chosen.height}` : ''}
            </p>
          )}
        </div>
      </div>
      <TextField
        label="Title"
        value={title}
        onChange={setTitle}
        max={LIMITS.pictureTitle.max}
        hint={`Up to ${LIMITS.pictureTitle.max} characters`}
        {...form.field('title')}
      />
      <TextField
        label="Tags (comma-separated)"
        value={tags}
        onChange={setTags}
        hint={`Up to ${LIMITS.tags.count} tags`}
        {...form.field('tags')}
      />
      {progress !== null && (
        <div className="progress">
          <label htmlFor={`${id}-progress`}>Uploading</label>
          <progress id={`${id}-progress`} max={1} value={progress} />
          <span>{Math.round(progress * 100)}%</span>
        </div>
      )}
      <FormErrors messages={form.general} />
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={progress !== null}>
          {progress !== null ? 'Uploading…' : 'Upload'}
        </button>
        {progress !== null && (
          <button type="button" className="secondary" onClick={() => abort.current?.abort()}>
            Cancel upload
          </button>
        )}
      </div>
    </form>
  );
}
