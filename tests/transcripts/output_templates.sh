# Output through Go templates and template files: -o go-template, --template, -o
# go-template-file, -o jsonpath-file and -o custom-columns-file.
kubectl create deployment web --image=nginx:1.27 --replicas=2
kubectl run db --image=redis:7.4 --labels=tier=db
sleep 15
kubectl get pods -o go-template='{{range .items}}{{.metadata.name}} {{.status.phase}}{{"\n"}}{{end}}'
kubectl get deploy web -o go-template='{{.spec.replicas}} replicas, image {{(index .spec.template.spec.containers 0).image}}{{"\n"}}'
kubectl get pod db -o go-template='{{range $k, $v := .metadata.labels}}{{$k}}={{$v}}{{"\n"}}{{end}}'
kubectl get nodes --template='{{range .items}}{{if .spec.taints}}{{.metadata.name}} is tainted{{"\n"}}{{end}}{{end}}'
cat > pods.tmpl <<'EOF'
{{- range .items -}}
{{ .metadata.name }}: {{ range .spec.containers }}{{ .image }} {{ end }}
{{ end -}}
EOF
kubectl get pods -o go-template-file=pods.tmpl
echo '{range .items[*]}{.metadata.name}{"\t"}{.spec.nodeName}{"\n"}{end}' > nodes.jsonpath
kubectl get pods -o jsonpath-file=nodes.jsonpath
cat > cols.txt <<'EOF'
NAME            IMAGE                               NODE
.metadata.name  .spec.containers[0].image           .spec.nodeName
EOF
kubectl get pods -o custom-columns-file=cols.txt --sort-by=.metadata.name
echo 'NAME IMAGE' > bad-cols.txt
echo '.metadata.name' >> bad-cols.txt
kubectl get pods -o custom-columns-file=bad-cols.txt
kubectl get pods -o custom-columns-file=missing.txt
kubectl get pods -o go-template-file=missing.tmpl
kubectl get pods -o go-template='{{.items'
kubectl get pod db -o go-template='{{.spec.containers.name}}'
