# kustomize: a base and an overlay built with `kubectl kustomize`, applied with `apply -k`
# (generated names with their hash, references rewritten), changed and re-applied, deleted
# with `delete -k`; and `apply -R` on a directory tree.
mkdir -p app/base app/overlays/dev
cat > app/base/deployment.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: web-config
        volumeMounts:
        - name: config
          mountPath: /etc/web
      volumes:
      - name: config
        configMap:
          name: web-config
EOF
cat > app/base/service.yaml <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
EOF
cat > app/base/kustomization.yaml <<'EOF'
resources:
- deployment.yaml
- service.yaml
configMapGenerator:
- name: web-config
  literals:
  - GREETING=hello
EOF
cat > app/overlays/dev/kustomization.yaml <<'EOF'
namespace: dev
namePrefix: dev-
labels:
- pairs:
    env: dev
  includeSelectors: true
images:
- name: nginx
  newTag: "1.27"
replicas:
- name: web
  count: 2
resources:
- ../../base
configMapGenerator:
- name: web-config
  behavior: merge
  literals:
  - GREETING=hi
EOF
kubectl kustomize app/base
kubectl kustomize app/overlays/dev
kubectl create namespace dev
kubectl apply -k app/overlays/dev
sleep 20
kubectl get deploy,svc,cm -n dev
kubectl get pods -n dev -L env
kubectl get deploy dev-web -n dev -o jsonpath='{.spec.template.spec.volumes[0].configMap.name}{"\n"}'
kubectl exec deploy/dev-web -n dev -- sh -c 'echo $GREETING'
kubectl apply -k app/overlays/dev
sed -i 's/GREETING=hi/GREETING=hey/' app/overlays/dev/kustomization.yaml
kubectl apply -k app/overlays/dev
kubectl get cm -n dev
kubectl replace -k app/overlays/dev
kubectl get -k app/overlays/dev
kubectl delete -k app/overlays/dev
sleep 10
kubectl get all,cm -n dev
kubectl kustomize app
kubectl apply -k app/base -f app/base/service.yaml
kubectl apply -R -k app/base
# apply -R walks a directory tree; without -R only the top directory's manifests.
mkdir -p tree/sub
cp app/base/service.yaml tree/
sed 's/name: web/name: api/' app/base/service.yaml > tree/sub/api.yaml
sed 's/name: web/name: zzz/' app/base/service.yaml > tree/sub-svc.yaml
kubectl apply -f tree --dry-run=client
kubectl apply -R -f tree --dry-run=client
