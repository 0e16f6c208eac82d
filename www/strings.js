// The demo's string table. The language comes from ?lang=, else navigator.language, else English.
// Guidance keys are the pre-check's own codes (server feedback codes and local hints), so a new code
// needs one line per language here and nothing else.

const en = {
  skip: 'Skip to content',
  demo: 'demo',
  language: 'Language',
  startTitle: 'Verify your identity',
  startIntro: 'We will take a photo of the front and back of your ID, then a selfie. Photos are checked on your device and only the final ones are sent.',
  consent: 'I agree that my ID and a selfie are processed to verify my identity.',
  demoControls: 'Demo settings (sandbox)',
  recommendation: 'Result to simulate',
  forceRetry: 'Ask for a recapture after the first attempt (force_retry)',
  start: 'Start verification',
  starting: 'Starting…',
  steps: 'Steps',
  quality: 'Image quality',
  sharpness: 'Sharpness',
  glare: 'Glare',
  shutter: 'Take photo',
  upload: 'Upload a photo instead',
  cancel: 'Cancel',
  reviewTitle: 'Your photos',
  resultTitle: 'Verification',
  recommendationLabel: 'Recommendation',
  documentType: 'Document type',
  name: 'Name',
  again: 'Start again',
  done: 'done',
  cameraPreview: 'Camera preview',
  current: 'current step',
  step: {
    document_front: 'Front',
    document_back: 'Back',
    selfie: 'Selfie',
  },
  title: {
    document_front: 'Front of your ID',
    document_back: 'Back of your ID',
    selfie: 'Take a selfie',
  },
  guide: {
    document_not_found: 'Place your ID inside the frame',
    partly_out_of_frame: 'Move your ID fully into the frame',
    too_far: 'Move closer',
    too_close: 'Move a little farther away',
    not_centered: 'Centre your ID in the frame',
    too_dark: 'Find more light',
    too_bright: 'Too bright: move away from direct light',
    glare: 'Tilt your ID to avoid glare',
    blur: 'Hold still: the photo is blurry',
    glare_selfie: 'Avoid bright light on your face',
    blur_selfie: 'Hold still: the photo is blurry',
    face_not_found: 'Place your face inside the oval',
    hold_still: 'Hold still…',
    ok: 'Hold still, taking the photo…',
    ok_selfie: 'Hold still, taking the selfie…',
    flip: 'Now turn your ID over',
    wrong_document_side: 'That is the front: turn your ID over',
    intro_document_front: 'Show the front of your ID',
    intro_document_back: 'Show the back of your ID',
    intro_selfie: 'Now a selfie: put your face in the oval',
    captured: 'Photo taken. Checking…',
    uploaded: 'Photo accepted',
    manual: 'Having trouble? Take the photo yourself.',
    file_rejected: 'That photo cannot be used: {reason}. Try another one.',
  },
  // Why a chosen file was refused, completing guide.file_rejected.
  fileIssue: {
    document_not_found: 'no ID was found in it',
    face_not_found: 'no face was found in it',
    partly_out_of_frame: 'part of the ID is cut off',
    too_far: 'the ID is too small in it',
    too_close: 'the ID is too close',
    too_dark: 'it is too dark',
    too_bright: 'it is too bright',
    glare: 'there is glare on the ID',
    glare_selfie: 'there is glare on the face',
    blur: 'it is blurry',
    blur_selfie: 'it is blurry',
    unsupported_file: 'it is not a JPEG or PNG image',
    image_too_small: 'it is too small',
    other: 'it did not pass the checks',
  },
  // What the server's feedback on an uploaded photo asks of the user.
  retake: {
    blur: 'The photo was blurry. Let’s take it again.',
    glare: 'The photo had glare. Let’s take it again.',
    document_not_found: 'We could not find your ID in the photo. Let’s take it again.',
    blur_selfie: 'The selfie was blurry. Let’s take it again.',
    glare_selfie: 'The selfie had glare. Let’s take it again.',
    other: 'We need that photo again.',
  },
  feedback: {
    pending: 'Sending…',
    recapture: 'To retake',
    ok: 'Accepted',
    blur: 'Blurry',
    glare: 'Glare',
    document_not_found: 'No ID found',
    blur_selfie: 'Blurry',
    glare_selfie: 'Glare',
    other: 'Needs a retake',
  },
  cameraDenied: 'The camera is not available. You can upload photos instead.',
  processing: 'Checking your photos…',
  recaptureRound: 'We need new photos to finish.',
  outcome: {
    recapture_limit: 'We could not verify your photos. Please start again.',
    server_error: 'The verification service had a problem. Please start again.',
    stopped: 'Verification cancelled.',
    failed: 'Verification stopped: {reason}',
  },
  resultPending: 'The result is not ready yet.',
  startFailed: 'Could not start a session: {reason}',
  documentTypes: {
    national_id: 'National ID card',
    drivers_license: 'Driver’s licence',
    passport: 'Passport',
    residence_permit: 'Residence permit',
  },
  typeName: {
    document_front: 'Front',
    document_back: 'Back',
    selfie: 'Selfie',
  },
};

const es = {
  skip: 'Saltar al contenido',
  demo: 'demostración',
  language: 'Idioma',
  startTitle: 'Verifica tu identidad',
  startIntro: 'Tomaremos una foto del anverso y del reverso de tu documento y luego un selfie. Las fotos se revisan en tu dispositivo y solo se envían las definitivas.',
  consent: 'Acepto que mi documento y un selfie se procesen para verificar mi identidad.',
  demoControls: 'Ajustes de la demostración (sandbox)',
  recommendation: 'Resultado a simular',
  forceRetry: 'Pedir nuevas fotos tras el primer intento (force_retry)',
  start: 'Iniciar verificación',
  starting: 'Iniciando…',
  steps: 'Pasos',
  quality: 'Calidad de imagen',
  sharpness: 'Nitidez',
  glare: 'Reflejos',
  shutter: 'Tomar foto',
  upload: 'Subir una foto',
  cancel: 'Cancelar',
  reviewTitle: 'Tus fotos',
  resultTitle: 'Verificación',
  recommendationLabel: 'Recomendación',
  documentType: 'Tipo de documento',
  name: 'Nombre',
  again: 'Empezar de nuevo',
  done: 'hecho',
  cameraPreview: 'Vista de la cámara',
  current: 'paso actual',
  step: {
    document_front: 'Anverso',
    document_back: 'Reverso',
    selfie: 'Selfie',
  },
  title: {
    document_front: 'Anverso de tu documento',
    document_back: 'Reverso de tu documento',
    selfie: 'Hazte un selfie',
  },
  guide: {
    document_not_found: 'Coloca tu documento dentro del marco',
    partly_out_of_frame: 'Mete todo el documento en el marco',
    too_far: 'Acércate',
    too_close: 'Aléjate un poco',
    not_centered: 'Centra el documento en el marco',
    too_dark: 'Busca más luz',
    too_bright: 'Demasiada luz: apártate de la luz directa',
    glare: 'Inclina el documento para evitar reflejos',
    blur: 'No te muevas: la foto está borrosa',
    glare_selfie: 'Evita la luz fuerte en la cara',
    blur_selfie: 'No te muevas: la foto está borrosa',
    face_not_found: 'Coloca la cara dentro del óvalo',
    hold_still: 'No te muevas…',
    ok: 'No te muevas, tomando la foto…',
    ok_selfie: 'No te muevas, tomando el selfie…',
    flip: 'Ahora da la vuelta al documento',
    wrong_document_side: 'Ese es el anverso: da la vuelta al documento',
    intro_document_front: 'Muestra el anverso de tu documento',
    intro_document_back: 'Muestra el reverso de tu documento',
    intro_selfie: 'Ahora un selfie: pon la cara dentro del óvalo',
    captured: 'Foto tomada. Comprobando…',
    uploaded: 'Foto aceptada',
    manual: '¿Problemas? Toma la foto tú mismo.',
    file_rejected: 'Esa foto no sirve: {reason}. Prueba con otra.',
  },
  fileIssue: {
    document_not_found: 'no se encuentra ningún documento',
    face_not_found: 'no se encuentra ninguna cara',
    partly_out_of_frame: 'falta parte del documento',
    too_far: 'el documento sale demasiado pequeño',
    too_close: 'el documento está demasiado cerca',
    too_dark: 'está demasiado oscura',
    too_bright: 'tiene demasiada luz',
    glare: 'hay reflejos en el documento',
    glare_selfie: 'hay reflejos en la cara',
    blur: 'está borrosa',
    blur_selfie: 'está borrosa',
    unsupported_file: 'no es una imagen JPEG o PNG',
    image_too_small: 'es demasiado pequeña',
    other: 'no ha pasado las comprobaciones',
  },
  retake: {
    blur: 'La foto salió borrosa. Vamos a repetirla.',
    glare: 'La foto tenía reflejos. Vamos a repetirla.',
    document_not_found: 'No encontramos tu documento en la foto. Vamos a repetirla.',
    blur_selfie: 'El selfie salió borroso. Vamos a repetirlo.',
    glare_selfie: 'El selfie tenía reflejos. Vamos a repetirlo.',
    other: 'Necesitamos repetir esa foto.',
  },
  feedback: {
    pending: 'Enviando…',
    recapture: 'Hay que repetirla',
    ok: 'Aceptada',
    blur: 'Borrosa',
    glare: 'Reflejos',
    document_not_found: 'Sin documento',
    blur_selfie: 'Borroso',
    glare_selfie: 'Reflejos',
    other: 'Hay que repetirla',
  },
  cameraDenied: 'La cámara no está disponible. Puedes subir fotos en su lugar.',
  processing: 'Comprobando tus fotos…',
  recaptureRound: 'Necesitamos fotos nuevas para terminar.',
  outcome: {
    recapture_limit: 'No pudimos verificar tus fotos. Empieza de nuevo.',
    server_error: 'El servicio de verificación tuvo un problema. Empieza de nuevo.',
    stopped: 'Verificación cancelada.',
    failed: 'La verificación se detuvo: {reason}',
  },
  resultPending: 'El resultado aún no está listo.',
  startFailed: 'No se pudo iniciar la sesión: {reason}',
  documentTypes: {
    national_id: 'Documento nacional de identidad',
    drivers_license: 'Permiso de conducir',
    passport: 'Pasaporte',
    residence_permit: 'Permiso de residencia',
  },
  typeName: {
    document_front: 'Anverso',
    document_back: 'Reverso',
    selfie: 'Selfie',
  },
};

const tables = { en, es };

/** The language to use: ?lang= when it names a table, else the browser's first match, else English. */
export function pickLanguage(search = location.search, preferred = navigator.languages ?? [navigator.language]) {
  const asked = new URLSearchParams(search).get('lang');
  const candidates = [asked, ...preferred].filter(Boolean).map((l) => l.toLowerCase().split('-')[0]);
  return candidates.find((l) => l in tables) ?? 'en';
}

/**
 * A lookup for one language: t('guide.blur'), t('outcome.failed', { reason }).
 * A missing key falls back to English, then to the key itself, so a gap shows rather than breaks.
 */
export function translator(lang) {
  const dig = (table, key) => key.split('.').reduce((node, part) => node?.[part], table);
  return (key, vars = {}) => {
    const s = dig(tables[lang], key) ?? dig(en, key) ?? key;
    return typeof s === 'string' ? s.replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? '') : key;
  };
}

/** Fills every [data-i18n] element's text and [data-i18n-label] element's aria-label. */
export function localise(root, t) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-label]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nLabel)));
}
