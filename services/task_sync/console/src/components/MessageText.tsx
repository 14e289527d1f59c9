import { mediaText } from "../lib/media";

/** A message's text as the chat shows it: a media placeholder as the localized kind (in its own
 * style) followed by the caption; any other text as it is, and always as text. */
export function MessageText({ text, contentType }: { text: string; contentType?: string }) {
  const media = mediaText(contentType, text);
  if (!media) return <>{text}</>;
  return (
    <><span class="media-kind">{media.label}</span>{media.caption && ` ${media.caption}`}</>
  );
}
