{{/* Labels Alloy turns into log labels: environment, app, component. */}}
{{- define "webapp.labels" -}}
app.kubernetes.io/name: {{ .Values.app.name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
devstack.dev/environment: {{ .Values.profile }}
devstack.dev/app: {{ .Values.app.name }}
{{- end }}

{{- define "webapp.selector" -}}
app.kubernetes.io/name: {{ .Values.app.name }}
app.kubernetes.io/instance: {{ .Release.Name }}
devstack.dev/component: web
{{- end }}

{{- define "webapp.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end }}

{{/* The same environment for the web pods, the cron jobs and the migration. */}}
{{- define "webapp.envFrom" -}}
- configMapRef:
    name: {{ .Values.app.name }}-env
{{- with include "webapp.secretEnvFrom" . | trim }}
{{ . }}
{{- end }}
{{- end }}

{{- define "webapp.secretEnvFrom" -}}
- secretRef:
    name: {{ .Values.app.name }}-app
{{- if .Values.secrets.database }}
- secretRef:
    name: {{ .Values.app.name }}-database
{{- end }}
{{- end }}

{{- define "webapp.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.pod.runAsUser }}
runAsGroup: {{ .Values.pod.runAsGroup }}
fsGroup: {{ .Values.pod.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "webapp.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end }}

{{- define "webapp.resources" -}}
requests:
  cpu: {{ .Values.resources.requests.cpu | quote }}
  memory: {{ .Values.resources.requests.memory | quote }}
limits:
  {{- with .Values.resources.limits.cpu }}
  cpu: {{ . | quote }}
  {{- end }}
  memory: {{ .Values.resources.limits.memory | quote }}
{{- end }}

{{/* Pods roll when their plain env or a rotated secret changes. */}}
{{- define "webapp.podAnnotations" -}}
checksum/env: {{ toJson .Values.env | sha256sum }}
devstack.dev/secrets-version: {{ .Values.secrets.version | quote }}
{{- end }}

{{/* A read-only root filesystem still needs a writable /tmp. */}}
{{- define "webapp.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end }}
